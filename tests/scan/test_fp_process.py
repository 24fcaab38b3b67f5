"""Process debt from prose: sentences of real READMEs that say "manually" without documenting a manual step of the
pipeline (marketing, UI tours, alternatives, one-off setup, troubleshooting, examples), and the steps that are."""

from mldebt_core.scan.runner import scan_repository


def steps(doc):
    return [(f.file, f.line) for f in doc.findings if f.kind == "process_debt"]


NOT_STEPS = [
    "- Deploy Ray manually [on-prem](https://docs.ray.io/on-prem) or onto platforms [not listed here](https://x.io).",
    "Issues with configuring the notebooks with jupyter? By default, jupyter will use the kernel with our virtual "
    "environment but we can also manually add it to jupyter:",
    "This destroy script won't turn-down the AI Platform Notebook instance and won't clear IAM service account and "
    "key. You need to delete them manually.",
    "- use COPY to copy the `requirements.txt` file you wrote above",
    "In order to run these notebooks, the following setup will need to be performed.",
    "There are two ways of injecting the Istio sidecar into a pod: manually using the istioctl command or by "
    "enabling automatic injection.",
    "* Demo: apply TF to our use-case, manually deploy data dependencies & test",
    "Label your data manually in an intuitive UI, then click Retrain.",
    "No more copying predictions by hand: the platform syncs them for you.",
    "Directories to store data and logs still need to be manually created in the user's Databricks DBFS instance:",
    "## Manually retraining the model",
    # an obligation whose verb is no operation of the pipeline (energy-forecasting, handson-ml3)
    "**NOTE:** Remember to complete the `.env` file with your own variables.",
    "But don't forget to keep in mind the same edge cases described in the Deploy - The Pipeline section.",
    "The output will tell you what modifications should be re-played on the **manually saved** version of the "
    "notebook.",
]


def test_marketing_ui_setup_and_alternatives_are_not_manual_steps(make_repo):
    doc = scan_repository(make_repo({"README.md": "\n".join(NOT_STEPS) + "\n"}))
    assert steps(doc) == []


def test_the_readmes_of_examples_and_tutorials_are_not_runbooks(make_repo):
    doc = scan_repository(make_repo({"examples/04_model_select/README.md": "2. Create a config file and copy the "
                                                                           "model to the share manually.\n"}))
    assert steps(doc) == []


def test_operational_instructions_are_manual_steps(make_repo):
    doc = scan_repository(make_repo({
        "docs/RUNBOOK.md": "- **Kaggle dataset**: Download manually from https://www.kaggle.com/datasets/x and "
                           "place CSV in `data/raw/`\n",
        "docs/deployment_guide.md": "Run these by hand from the repository root on the operator terminal after the "
                                    "staging DAG set has accumulated the 24-hour window.\n",
        "README.md": "After the nightly run, copy the weekly at-risk list to the account managers' share by hand.\n"
                     "The scores need to be uploaded manually to the CRM every Monday.\n",
    }))
    assert steps(doc) == [("README.md", 1), ("README.md", 2), ("docs/RUNBOOK.md", 1),
                          ("docs/deployment_guide.md", 1)]
