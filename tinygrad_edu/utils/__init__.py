"""tinygrad_edu.utils: helpers under PyTorch's module paths (tinygrad_edu.utils.data is
torch.utils.data)."""
from tinygrad_edu.utils import data

__all__ = ["data"]
