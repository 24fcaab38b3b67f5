"""Production prediction logs: their stored layout, ingest, the simulator of the sample log, and the
analyses of paper § 7 (prediction bias, drift, action limits, up-stream producers)."""
