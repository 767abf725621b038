"""Public datasets: `lamina.datasets.digits` (bundled, offline)."""

from lamina.datasets import digits as digits
