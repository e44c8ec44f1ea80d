import BallastCLI

await BallastMain.run()
