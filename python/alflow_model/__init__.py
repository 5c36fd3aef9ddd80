"""alflow_model: run a torch.nn.Module as an alflow external model (protocol v1).

    from alflow_model import serve
    def build(classes, feature_shape): return MyNet(classes)
    if __name__ == "__main__": serve(build, name="mynet")
"""
import sys as _sys

from .environment import HELPER_VERSION as __version__
from .server import claim_stdout as _claim_stdout, serve
from .transforms import cifar_augment, official_image_pipeline, random_crop_flip, stats_argument

__all__ = ["serve", "cifar_augment", "official_image_pipeline", "random_crop_flip", "stats_argument", "__version__"]

# A model script imports this package before its own top-level code runs: when it
# runs as `<script> serve`, stdout belongs to the protocol from here on.
if _sys.argv[-1:] == ["serve"] and len(_sys.argv) > 1:
    _claim_stdout()
