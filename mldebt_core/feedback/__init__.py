"""Feedback loops (paper § 4): the holdout against the treatment, and when the gap between them opens.

- `histograms`: the one grouped query over a stored prediction log, and every input error (FeedbackError);
- `intervals`: Wilson, Newcombe and the Gaussian-multiplier bootstrap on per-window aggregates;
- `metrics`: label rate, mean prediction, calibration gap, AUC and user columns, per window and side;
- `detection`: the CUSUM on the standardised gap; `simulation`: its rates on simulated logs;
- `health`: holdout share, minimum detectable effect, shrinking and contamination;
- `cross_model`: correlated metric changes of two models, with their lag;
- `lineage`: the loops the latest scan found in the code's lineage;
- `report`: `compare` and `feedback_report` (the whole analysis, with its `hidden_feedback_loop` findings);
- `charts`: the Feedback Loops page's figures.

The feedback-loop use case (`usecases.feedback.run_feedback`) records the findings of a run with the defaults.

See docs/feedback.md.
"""
