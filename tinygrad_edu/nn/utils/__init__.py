"""tinygrad_edu.nn.utils: helpers for training, as torch.nn.utils.

    clip_grad.py            clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_
    convert_parameters.py   parameters_to_vector, vector_to_parameters
"""
from tinygrad_edu.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from tinygrad_edu.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm", "parameters_to_vector",
           "vector_to_parameters"]
