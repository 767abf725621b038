"""`Trainer`: the compile / fit / evaluate / predict half of `Model`."""


class Trainer:
    """Mixed into `Model`; holds the compiled training configuration."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
