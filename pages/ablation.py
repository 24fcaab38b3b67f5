"""Feature Ablation: what each feature of a table contributes and costs, which to remove, verified by a retrain.
Runs in a background thread with a progress bar and a cancel button; every run is stored for the system."""

import streamlit as st

from mldebt_core.ablation import charts, persist
from mldebt_core.ablation.background import BackgroundRun
from mldebt_core.ablation.choices import METHODS, METRIC_TASKS, MODELS, TASKS
from mldebt_core.ablation.run import AblationConfig
from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.ablation.table import read_columns, table_file
from mldebt_core.errors import MldebtError
from mldebt_core.usecases.ablation import AblationRequest, run_ablation
from pages.components import common as ui

JOB = "ablation_job"
AUTO = "auto"


@st.fragment(run_every=0.5)
def progress_panel(job: BackgroundRun) -> None:
    """Polls the run; the whole page reruns once it ends (the fragment alone cannot redraw the results)."""
    status = job.status
    if not status.running:
        st.rerun()
    st.progress(status.done / status.total if status.total else 0.0,
                text=f"{status.done} of {status.total or '…'} model fits")
    if st.button("Cancel", key="ablation_cancel"):
        job.cancel()


def _work(store, system: str, request: AblationRequest):
    """The run in the background thread: ablate, store, record (see usecases.ablation); its run id."""
    return lambda progress, cancel: run_ablation(store, system, request, progress=progress, cancel=cancel).run_id


store = ui.store()
system, scan_id = ui.require_selection()
st.title("Feature Ablation")
st.caption(f"{ui.plain(system)} · " + (f"feature costs from the lineage of scan #{scan_id}" if scan_id is not None
                                       else "no scan of this system yet: feature costs count null rates only"))

job: BackgroundRun | None = st.session_state.get(JOB)
if job is not None and not job.status.running:
    status = job.wait()
    del st.session_state[JOB]
    job = None
    if status.error is not None:
        (st.info if status.cancelled else st.error)(ui.plain(status.error))
    else:
        st.session_state["ablation_run_pick"] = status.result

source = st.radio("Feature table", ["sample", "upload"], horizontal=True, key="ablation_source",
                  format_func={"sample": f"the sample ({SAMPLE_TABLE.name})",
                               "upload": "upload a CSV or Parquet file"}.get)
if source == "sample":
    data, name = SAMPLE_TABLE.read_bytes(), SAMPLE_TABLE.name
else:
    upload = st.file_uploader("Feature table", type=["csv", "parquet"], key="ablation_upload")
    data, name = (upload.getvalue(), upload.name) if upload is not None else (None, None)

if data is not None:
    try:
        with table_file(data, name) as path:
            columns = [c.name for c in read_columns(store, path, name)]
    except MldebtError as error:
        st.error(ui.plain(str(error)))
        columns = []
    if columns:
        default = columns.index(SAMPLE_TABLE_SPEC.target) if SAMPLE_TABLE_SPEC.target in columns else len(columns) - 1
        left, middle, right = st.columns(3)
        target = left.selectbox("Target", columns, index=default, key="ablation_target")
        task = middle.selectbox("Task", [AUTO, *TASKS], key="ablation_task")
        method = right.selectbox("Method", list(METHODS), format_func=lambda m: f"{m}: {METHODS[m]}",
                                 key="ablation_method")
        left, middle, right = st.columns(3)
        model = left.selectbox("Model", list(MODELS), format_func=lambda m: f"{m}: {MODELS[m]}",
                               key="ablation_model")
        metrics = [m for m, t in METRIC_TASKS.items() if task == AUTO or t == task]
        metric = middle.selectbox("Metric", [AUTO, *metrics], key="ablation_metric",
                                  help="auto: ROC AUC for classification, R² for regression")
        groups = right.file_uploader("Groups file (optional)", type=["json", "csv"], key="ablation_groups",
                                     help='JSON {"group": ["feature", …]} or CSV with columns feature,group')
        st.caption("A run with the default method, model and metric (both, hgb, auto) records its removals as the "
                   "system's findings; every run is stored.")
        if st.button("Run ablation", type="primary", disabled=job is not None, key="ablation_start"):
            request = AblationRequest(data, name, target, None if task == AUTO else task,
                                      AblationConfig(method, model, None if metric == AUTO else metric),
                                      (groups.getvalue(), groups.name) if groups is not None else None)
            st.session_state[JOB] = job = BackgroundRun(_work(store, system, request))

if job is not None:
    progress_panel(job)

runs = persist.list_runs(store, system)
if runs.empty:
    st.info("No ablation run for this system yet.")
    st.stop()
labels = persist.run_labels(runs)
if st.session_state.get("ablation_run_pick") not in labels:
    st.session_state["ablation_run_pick"] = next(iter(labels))  # the newest
run_id = st.selectbox("Run", list(labels), format_func=labels.get, key="ablation_run_pick")
run = persist.load_run(store, run_id)
features = persist.run_features(store, run_id)
(st.success if run.confirmed is not False else st.warning)(
    ui.plain(persist.headline(run, int(features["recommended"].sum()))))
st.plotly_chart(charts.contribution_chart(run, features), key="ablation_contribution")
left, right = st.columns(2)
left.plotly_chart(charts.cluster_heatmap(run, features), key="ablation_clusters")
right.plotly_chart(charts.cost_benefit_chart(run, features), key="ablation_cost")
st.subheader("Features, best first")
st.dataframe(features, hide_index=True)
ui.download("Download CSV", features, f"ablation-run-{run_id}.csv", "ablation_csv")
groups = persist.run_groups(store, run_id)
if len(groups):
    st.subheader("Groups removed (or shuffled) together")
    st.dataframe(groups, hide_index=True)

st.subheader("Since the previous run on this table and target")
previous = persist.previous_run(store, run_id)
if previous is None:
    st.info("This is the first run on this table and target.")
else:
    changes = persist.run_changes(store, run_id, previous)
    st.markdown(f"**{len(changes)} changes since run #{previous}**")
    if len(changes):
        st.dataframe(changes, hide_index=True)
