"""Commented-out code: runs of comment lines that, uncommented, are Python doing something.

The AST has no comments, so this reads the source text. A regex finds runs of at
least `minimum` whole-line comments (files without one cost a single fast scan);
each run with a line that starts like code is uncommented, dedented and parsed.
Prose rarely parses, and when it does it is a bare name or an annotation
(`# note: ...`), never a statement that acts: a run counts only if it holds a call,
an assignment that computes, a definition, import, return or control flow. A prose
line or two around the code (`# old way:`) is trimmed, guided by where the parser
stops. Blocks apart only by blank or comment lines merge into one region. Inside a multi-line
statement, `#` lines count only as keyword arguments commented out of a call (an option
switched off by hand), once the tokenizer confirms they are comments, not a string's text.
"""

import ast
import io
import re
import textwrap
import tokenize
import warnings
from dataclasses import dataclass
from functools import lru_cache

MAX_TRIMMED_LINES = 2  # prose lines dropped at either end of a run before it is judged prose
_ACTING = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Return, ast.If,
           ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Raise, ast.Delete, ast.Assert)
_ASSIGNING = (ast.Assign, ast.AugAssign, ast.AnnAssign)
_TYPES = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant)
_COMPUTED = (ast.Name, ast.Attribute, ast.Call)


@dataclass(frozen=True, slots=True)
class CommentedCode:
    first: int
    last: int
    code: str  # uncommented and dedented
    statement: str  # its first line, to name it in a message


_COMMENT_LINE = r"\n[ \t]*#[^\n]*"
# A line that starts like code (assignment, call, keyword); runs without one are prose and never parsed.
_CODE_HINT = re.compile(r"^[ \t]*#[ \t]*(?:[\w.\[\]'\"]+(?:,[ \t]*[\w.\[\]'\"]+)*[ \t]*[-+*/%|&]?=[^=]|[\w.]+\(|"
                        r"(?:import|from|return|def|class|if|for|while|with|try|raise|del|assert|print)\b)", re.M)


@lru_cache(maxsize=8)
def _runs(minimum: int) -> re.Pattern:
    # Spelled out `minimum` times rather than `(?:…){minimum,}`: the literal "\n" prefix lets the regex
    # engine skip ahead, ten times faster on code with few comments.
    return re.compile(_COMMENT_LINE * max(1, minimum) + f"(?:{_COMMENT_LINE})*")


def commented_code_blocks(text: str, minimum: int, statement_spans: list[tuple[int, int]]) -> list[CommentedCode]:
    """Commented-out code in `text`, which starts with a newline (so line 1 is like any other).

    `statement_spans` are (first, last) lines of multi-line statements: `#` lines inside them are text of a
    string (docstrings, snippets), or entries of a bracketed literal, which uncommented are no statement.
    """
    blocks = []
    line, position = 1, 0
    for run in _runs(minimum).finditer(text):
        line += text.count("\n", position, run.start())
        position = run.start()
        if not _CODE_HINT.search(run.group()):
            continue
        lines = run.group()[1:].split("\n")
        span = next((s for s in statement_spans if s[0] <= line <= s[1]), None)
        if span is None:
            found = _code(lines, minimum)
        else:  # inside a statement: commented-out arguments of a call, if these lines are comments, not a string
            found = _arguments(lines, minimum)
            found = found if found is not None and _comments(text, span, line, len(lines)) else None
        if found is not None:
            start, end, code = found
            blocks.append(CommentedCode(line + start, line + end - 1, code, code.lstrip().split("\n", 1)[0]))
    return _merged(blocks, text) if len(blocks) > 1 else blocks


def _merged(blocks: list[CommentedCode], text: str) -> list[CommentedCode]:
    """Blocks apart only by blank or comment lines are one commented-out region (a file or a function switched
    off whole, its blank lines and inner comments splitting the runs): one finding, not one per paragraph."""
    lines = text.split("\n")  # `text` starts with a newline: lines[n] is line n
    out = [blocks[0]]
    for block in blocks[1:]:
        previous = out[-1]
        between = lines[previous.last + 1: block.first]
        if all(not line.strip() or line.lstrip().startswith("#") for line in between):
            out[-1] = CommentedCode(previous.first, block.last, previous.code + "\n" + block.code, previous.statement)
        else:
            out.append(block)
    return out


def _code(lines: list[str], minimum: int) -> tuple[int, int, str] | None:
    """(start, end, code) of the part of a comment run that is code, or None."""
    uncommented = [line.lstrip()[1:] for line in lines]
    start, end = 0, len(lines)
    while end - start >= minimum:
        code = textwrap.dedent("\n".join(uncommented[start:end]))
        tree, error = _parse(code)
        if tree is not None:
            return (start, end, code) if _acts(tree) else None
        if error <= 1 and start < MAX_TRIMMED_LINES:
            start += 1
        elif error >= end - start and len(lines) - end < MAX_TRIMMED_LINES:
            end -= 1
        else:
            return None
    return None


def _arguments(lines: list[str], minimum: int) -> tuple[int, int, str] | None:
    """(start, end, code) of keyword arguments commented out inside a call (`#    vnet_name=vnet_name,`), a
    prose line or two before them trimmed; None for anything else (entries of a literal, a string's text)."""
    uncommented = [line.lstrip()[1:] for line in lines]
    for start in range(min(MAX_TRIMMED_LINES, len(lines)) + 1):
        while start < len(lines) and uncommented[start].lstrip().startswith("#"):
            start += 1  # a note in the comment (`#    #Uncomment the below lines for VNet support`)
        if len(lines) - start < minimum:
            return None
        code = textwrap.dedent("\n".join(uncommented[start:]))
        tree, _ = _parse(f"f(\n{code}\n)")
        if tree is not None:
            call = tree.body[0].value
            keywords = call.keywords
            return (start, len(lines), code) if not call.args and len(keywords) >= 2 \
                and all(k.arg for k in keywords) else None
    return None


def _comments(text: str, span: tuple[int, int], first: int, count: int) -> bool:
    """Whether lines first.. first + count - 1 of `text` are comments of the statement on lines `span`, not text
    of a string (tokenized only here: a run inside a statement is rare)."""
    source = "\n".join(text.split("\n")[span[0]:span[1] + 1]) + "\n"
    try:
        rows = {token.start[0] + span[0] - 1 for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    except (tokenize.TokenError, SyntaxError):
        return False
    return all(row in rows for row in range(first, first + count))


def _parse(code: str) -> tuple[ast.Module | None, int]:
    """The tree of `code`, or None and the line (1-based) where it stops parsing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escapes in a commented-out regex
            return ast.parse(code), 0
    except SyntaxError as error:
        return None, error.lineno or 1
    except (ValueError, RecursionError, MemoryError):
        return None, 1


def _acts(tree: ast.Module) -> bool:
    """A statement that does something; `x`, `note: text` or `a - b` alone are what prose parses as.

    An assignment acts only when it computes (reads a name or calls): `# tp = [[7, 7], [3, 0]]` above an
    assertion is a worked example, not code that was switched off.
    """
    for node in ast.walk(tree):
        if isinstance(node, _ACTING):
            return True
        if node.__class__ is ast.Expr and isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, _ASSIGNING) and node.value is not None \
                and (node.__class__ is not ast.AnnAssign or isinstance(node.annotation, _TYPES)) \
                and any(isinstance(child, _COMPUTED) for child in ast.walk(node.value)):
            return True  # (`pylint: disable-msg=C0103` parses as an assignment annotated with a subtraction)
    return False
