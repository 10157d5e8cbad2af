"""Speech engines behind the local server; `base` defines the contract they implement."""
