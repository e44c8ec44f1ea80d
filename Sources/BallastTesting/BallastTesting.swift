// BallastTesting module.
