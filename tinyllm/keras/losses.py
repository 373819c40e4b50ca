"""``tinyllm.keras.losses`` — loss names accepted by ``compile(loss=...)``."""

from ..train.losses import LOSS_NAMES, get_loss

__all__ = ["get", "LOSS_NAMES"]

get = get_loss
