import BallastCore
import GRDB
