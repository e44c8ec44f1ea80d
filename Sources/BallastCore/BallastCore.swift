// BallastCore: policy model, signals, rule evaluation, scaling math and decisions.
// Pure: values in, decisions out, time passed in. Imports Foundation only.
