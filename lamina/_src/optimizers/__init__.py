"""Optimizers and learning rate schedules; the public names are in `lamina.optimizers`."""
