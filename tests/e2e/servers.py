"""What the browser tests share about the servers they start."""

import subprocess


def stop(server: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if the server has not stopped within 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
