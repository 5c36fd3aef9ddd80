"""alflow_model: run a torch.nn.Module as an alflow external model (protocol v1).

    from alflow_model import serve
    def build(classes, feature_shape): return MyNet(classes)
    if __name__ == "__main__": serve(build, name="mynet")
"""
import sys as _sys

from .environment import HELPER_VERSION as __version__
from .server import claim_stdout as _claim_stdout, serve
from .transforms import cifar_augment, random_crop_flip

__all__ = ["serve", "cifar_augment", "random_crop_flip", "__version__"]

# A model script imports this package before its own top-level code runs: when it
# runs as `<script> serve`, stdout belongs to the protocol from here on.
if _sys.argv[1:2] == ["serve"]:
    _claim_stdout()
