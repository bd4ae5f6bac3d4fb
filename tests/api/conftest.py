"""App-side unit tests run in development mode (the laptop secrets); tests of the refusal set APP_ENV themselves."""

import os

os.environ["APP_ENV"] = "development"
