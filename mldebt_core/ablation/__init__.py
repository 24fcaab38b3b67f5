"""Feature ablation (paper § 3, underutilized data dependencies): which features earn their data dependencies.

`table` loads and checks a feature table; `engine` scores model variants under cross-validation with
the `models` and `metrics`; `clusters` and `groups` say which features go together; `lineage` what each
costs upstream; `classify` names the weak ones and the removal set; `run` ties it together (`ablate`);
`persist` stores runs and builds their findings; `charts` draws stored runs; `background` runs an ablation in a thread
the dashboard can cancel; `sample` builds the sample table; `choices` lists the options and `errors`
the user errors. See docs/ablation.md.

Most submodules import numpy and scikit-learn: the CLI imports them inside its command (only `choices`
and `errors` are light).
"""
