"""Glue code and multiple language are about the system's own pipeline: not a library's own package calls, its
examples, pipeline DSLs, CI jobs or the scripts that install an environment (shapes seen on real repositories)."""

from mldebt_core.scan.runner import scan_repository

GLUE = "import numpy as np\nimport pandas as pd\n" + "".join(
    f"a{i} = np.asarray(df[{i}]).reshape(-1, 1).astype('float32')\n" for i in range(25))


def kinds(doc, kind):
    return [(f.file, f.line) for f in doc.findings if f.kind == kind]


def test_a_library_calling_its_own_package_its_examples_and_ci_are_not_glue(make_repo):
    register = "import pandas as pd\nimport pandera\nfrom pandera.api import checks\n" + "".join(
        f"pandera.register_backend(pd.DataFrame, checks.Check{i})\n" for i in range(25))
    doc = scan_repository(make_repo({
        "pandera/__init__.py": "",
        "pandera/backends/register.py": register,
        "examples/quickstart.py": GLUE,
        ".github/scripts/convert.py": GLUE,
    }))
    assert kinds(doc, "glue_code") == []
    assert doc.code_health.glue_share_by_file == {"pandera/backends/register.py": 0.0}


def test_a_pipeline_declaration_and_a_chart_are_not_glue(make_repo):
    pipeline = "from tfx.components import CsvExampleGen, StatisticsGen, SchemaGen\n" + "".join(
        f"gen{i} = CsvExampleGen(input_base=root)\nstats{i} = StatisticsGen(examples=gen{i}.outputs.examples)\n"
        for i in range(12))
    charts = "import matplotlib.pyplot as plt\n" + "".join(f"plt.plot(x, y{i})\nplt.title('y{i}')\n"
                                                           for i in range(12))
    doc = scan_repository(make_repo({"pipeline/pipeline.py": pipeline, "src/evaluation/visualizer.py": charts}))
    assert kinds(doc, "glue_code") == []


def test_glue_in_the_system_is_still_glue(make_repo):
    doc = scan_repository(make_repo({"src/convert.py": GLUE}))
    assert kinds(doc, "glue_code") == [(None, None), ("src/convert.py", None)]


def test_install_ci_and_example_scripts_are_no_pipeline_language(make_repo):
    doc = scan_repository(make_repo({
        "src/train.py": "import pandas as pd\npd.read_csv('data/train.csv').to_parquet('data/clean.parquet')\n",
        ".devcontainer/setup_env.sh": "#!/bin/bash\necho 'export PYTHONPATH=.' >> ~/.bashrc\n"
                                      "curl -LsSf https://claude.ai/install.sh | sh\n",
        "scripts/configure_integrations.sh": "#!/bin/bash\ncp .env.example .env\n",
        "environments_setup/install.sh": "#!/bin/bash\ngsutil cp gs://bucket/data.csv data/raw.csv\n",
        "examples/r/demo.sh": "#!/bin/bash\ncp data/clean.parquet /tmp/demo.parquet\n",
    }))
    assert kinds(doc, "multiple_language") == []


def test_sql_steps_are_a_pipeline_language_and_the_shell_driver_is_not(make_repo):
    doc = scan_repository(make_repo({
        "src/train.py": "import pandas as pd\npd.read_csv('data/train.csv').to_parquet('data/clean.parquet')\n",
        "jobs/workloads.sh": "#!/bin/bash\npython src/train.py\naws s3 cp data/clean.parquet s3://bucket/clean/\n",
        "sql/snapshot.sql": "CREATE TABLE analytics.snapshot AS SELECT * FROM billing.invoices;\n",
    }))
    finding = next(f for f in doc.findings if f.kind == "multiple_language")
    assert sorted(finding.evidence) == ["Python", "SQL"]


def test_a_job_script_running_python_steps_is_no_second_language(make_repo):
    # Made-With-ML's deploy/jobs/workloads.sh: tests, trains, evaluates and copies results, all through Python
    doc = scan_repository(make_repo({
        "madewithml/train.py": "import pandas as pd\npd.read_csv('data/train.csv').to_parquet('data/clean.parquet')\n",
        "deploy/jobs/workloads.sh": "#!/bin/bash\npython madewithml/train.py\n"
                                    "aws s3 cp data/clean.parquet s3://madewithml/results/\n",
    }))
    assert kinds(doc, "multiple_language") == []


def test_maintainer_tooling_is_no_pipeline_language(make_repo):
    # fsdl-text-recognizer's admin/tasks/: course-admin tooling, not a step of the data pipeline
    doc = scan_repository(make_repo({
        "text_recognizer/data.py": "import pandas as pd\npd.read_csv('data/lines.csv').to_parquet('data/l.parquet')\n",
        "admin/tasks/snapshot.sql": "CREATE TABLE admin.labs AS SELECT * FROM course.students;\n",
    }))
    assert kinds(doc, "multiple_language") == []
