"""Attention layers: MultiheadAttention, and the Transformer built on it (encoder, decoder, both).

Names, arguments, parameters, initialisation and masks follow PyTorch's, so a PyTorch
state_dict loads with strict=True and the outputs agree. The arithmetic is
F.scaled_dot_product_attention (ops/attention.py) run once per head, all heads at once.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable

from tinygrad_edu import backend
from tinygrad_edu.creation import full, zeros
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.layers import Dropout, Linear, ModuleList, _empty_parameter, _positive_int
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.nn.normalization import LayerNorm
from tinygrad_edu.ops.activations import gelu, relu   # F.relu and F.gelu
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.matmul import matmul
from tinygrad_edu.ops.movement import cat
from tinygrad_edu.tensor import Tensor

LAYER = "MultiheadAttention"


def _additive_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A mask as numbers to add to the scores: bool True (= "ignore this key") becomes -inf,
    a float mask is used as it is (PyTorch's _canonical_mask)."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{LAYER}: {name} must be a Tensor, got {type(mask).__name__}")
    if mask.dtype == backend.bool_:
        return where(mask, -math.inf, 0.0).to(dtype)
    if not backend.is_floating(mask.dtype):
        raise DTypeError(f"{LAYER}: {name} must be bool or floating point, got {mask.dtype}")
    return mask.to(dtype)


class MultiheadAttention(Module):
    """num_heads attention heads side by side: each projects query, key and value to
    embed_dim/num_heads features, attends, and out_proj mixes the heads' results back.

    Parameters as in PyTorch: in_proj_weight (3·embed_dim, embed_dim) holds the query, key and
    value projections stacked (or q_proj_weight, k_proj_weight, v_proj_weight when kdim or vdim
    differ from embed_dim), in_proj_bias (3·embed_dim,), out_proj (a Linear), and bias_k,
    bias_v (1, 1, embed_dim) with add_bias_kv.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        embed_dim = _positive_int(embed_dim, "embed_dim", LAYER)
        num_heads = _positive_int(num_heads, "num_heads", LAYER)
        if embed_dim % num_heads:
            raise ValueError(f"{LAYER}: embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{LAYER}: dropout must be between 0 and 1, got {dropout!r}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else _positive_int(kdim, "kdim", LAYER)
        self.vdim = embed_dim if vdim is None else _positive_int(vdim, "vdim", LAYER)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first, self.add_zero_attn = dropout, batch_first, add_zero_attn
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _empty_parameter((3 * embed_dim, embed_dim), device, dtype)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = _empty_parameter((embed_dim, embed_dim), device, dtype)
            self.k_proj_weight = _empty_parameter((embed_dim, self.kdim), device, dtype)
            self.v_proj_weight = _empty_parameter((embed_dim, self.vdim), device, dtype)
        if bias:
            self.in_proj_bias = _empty_parameter((3 * embed_dim,), device, dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k: Parameter | None = _empty_parameter((1, 1, embed_dim), device, dtype)
            self.bias_v: Parameter | None = _empty_parameter((1, 1, embed_dim), device, dtype)
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal bias_k and bias_v
        (out_proj.weight keeps Linear's default)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)  # type: ignore[arg-type]  # made with bias=bias, as in_proj_bias
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)  # type: ignore[arg-type]  # made together with bias_k

    # ---- forward -----------------------------------------------------------------------------

    def _check_shapes(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                      attn_mask: Tensor | None) -> bool:
        """PyTorch's shape rules; returns whether the input is batched (3-D) or one sequence (2-D)."""
        shapes = f"query {query.shape}, key {key.shape}, value {value.shape}"
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(f"{LAYER}: query, key and value must all be 3-D (batched) or all 2-D (one sequence), "
                             f"got {shapes}")
        if (query.shape[-1], key.shape[-1], value.shape[-1]) != (self.embed_dim, self.kdim, self.vdim):
            raise ShapeError(f"{LAYER}: expected feature sizes (last dim) {self.embed_dim} for query, {self.kdim} "
                             f"for key and {self.vdim} for value, got {shapes}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ShapeError(f"{LAYER}: key and value must have the same length and batch size, got {shapes}")
        batched = query.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if batched and query.shape[batch_dim] != key.shape[batch_dim]:
            raise ShapeError(f"{LAYER}: query and key have different batch sizes (batch_first={self.batch_first}): "
                             f"{shapes}")
        length, source = query.shape[1 - batch_dim if batched else 0], key.shape[1 - batch_dim if batched else 0]
        for name, mask in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask)):
            if mask is not None and not isinstance(mask, Tensor):
                raise TypeError(f"{LAYER}: {name} must be a Tensor, got {type(mask).__name__}")
        if key_padding_mask is not None:
            expected = (key.shape[batch_dim], source) if batched else (source,)
            if tuple(key_padding_mask.shape) != expected:
                raise ShapeError(f"{LAYER}: key_padding_mask must have shape {expected} for {shapes}, got "
                                 f"{key_padding_mask.shape}")
        if attn_mask is not None:
            heads = self.num_heads * (key.shape[batch_dim] if batched else 1)
            if attn_mask.shape not in ((length, source), (heads, length, source)):
                raise ShapeError(f"{LAYER}: attn_mask must have shape {(length, source)} or {(heads, length, source)} "
                                 f"for {shapes}, got {attn_mask.shape}")
        return batched

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The three input projections; in_proj_weight holds them stacked (query, key, value)."""
        e, b = self.embed_dim, self.in_proj_bias
        weights = ((self.in_proj_weight[:e], self.in_proj_weight[e:2 * e], self.in_proj_weight[2 * e:])
                   if self._qkv_same_embed_dim else (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight))
        biases = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        q, k, v = (F.linear(x, w, bias) for x, w, bias in zip((query, key, value), weights, biases))
        return q, k, v

    def _heads(self, x: Tensor) -> Tensor:
        """(N, length, embed_dim) -> (N, num_heads, length, head_dim)."""
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """(output, weights): output (L, N, E), or (N, L, E) with batch_first, or (L, E) unbatched;
        weights (N, L, S) averaged over heads, (N, num_heads, L, S) otherwise, None unless need_weights.

        key_padding_mask (N, S): True (or -inf) marks keys to ignore; attn_mask (L, S) or
        (N·num_heads, L, S): True (or -inf) marks pairs a query may not attend to; float masks are
        added to the scores. is_causal is PyTorch's hint that attn_mask is the causal mask.
        """
        batched = self._check_shapes(query, key, value, key_padding_mask, attn_mask)
        if is_causal and attn_mask is None:
            raise ValueError(f"{LAYER}: is_causal=True is a hint that needs attn_mask (the causal mask) too")
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
        elif not self.batch_first:   # the work below is batch first: (N, length, features)
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, length = query.shape[:2]
        q, k, v = self._project(query, key, value)
        mask = _additive_mask(attn_mask, "attn_mask", q.dtype)
        padding = _additive_mask(key_padding_mask, "key_padding_mask", q.dtype)
        if self.bias_k is not None:   # one learned extra key and value that every query may attend to
            k = cat([k, self.bias_k.expand(n, 1, self.embed_dim)], dim=1)
            v = cat([v, self.bias_v.expand(n, 1, self.embed_dim)], dim=1)  # type: ignore[union-attr]
            mask, padding = (None if m is None else F.pad(m, (0, 1)) for m in (mask, padding))
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        if self.add_zero_attn:   # and an all-zero one
            nothing = zeros((n, self.num_heads, 1, self.head_dim), dtype=k.dtype, device=k.device)
            k, v = cat([k, nothing], dim=2), cat([v, nothing], dim=2)
            mask, padding = (None if m is None else F.pad(m, (0, 1)) for m in (mask, padding))
        if mask is not None and mask.ndim == 3:
            mask = mask.reshape(n, self.num_heads, length, mask.shape[-1])
        if padding is not None:
            padding = padding.reshape(n, 1, 1, padding.shape[-1])
            mask = padding if mask is None else mask + padding
        p = self.dropout if self.training else 0.0
        if need_weights:
            # PyTorch computes the weights in the open here, with a plain softmax: a query that
            # may see no key gets nan (without need_weights, SDPA gives it zeros).
            weights = F.softmax(matmul(q * (1 / math.sqrt(self.head_dim)), k.mT) + (0.0 if mask is None else mask),
                                dim=-1)
            weights = F.dropout(weights, p, training=True)
            out = matmul(weights, v)
        else:
            # PyTorch passes the causal hint on to SDPA only where no other mask had to be merged in.
            causal = is_causal and key_padding_mask is None
            out = F.scaled_dot_product_attention(q, k, v, None if causal else mask, p, causal)
            weights = None
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        if weights is not None and average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            return out.squeeze(0), None if weights is None else weights.squeeze(0)
        return (out if self.batch_first else out.transpose(0, 1)), weights


ACTIVATIONS: dict[str, Callable[..., Tensor]] = {"relu": relu, "gelu": gelu}


def _activation(activation: str | Callable[[Tensor], Tensor], layer: str) -> Callable[[Tensor], Tensor]:
    """'relu', 'gelu' or a callable (a function or a module), as PyTorch's Transformer layers take it."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"{layer}: activation must be 'relu', 'gelu' or a callable, got {activation!r}")
        return ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"{layer}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


class _TransformerLayer(Module):
    """What the encoder and decoder layers share: their submodules, registered in PyTorch's
    order and under PyTorch's names (the attentions, linear1, dropout, linear2, norm1..., dropout1...),
    and self-attention with its dropout."""

    def _build(self, layer: str, attentions: tuple[str, ...], d_model: int, nhead: int, dim_feedforward: int,
               dropout: float, activation: str | Callable[[Tensor], Tensor], layer_norm_eps: float, batch_first: bool,
               norm_first: bool, bias: bool, device: Any, dtype: Any) -> None:
        activation = _activation(activation, layer)
        dim_feedforward = _positive_int(dim_feedforward, "dim_feedforward", layer)
        for name in attentions:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                                   device=device, dtype=dtype))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, device=device, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, device=device, dtype=dtype)
        self.norm_first = norm_first
        blocks = range(1, len(attentions) + 2)   # one norm and one dropout per attention, and for the feed-forward
        for i in blocks:
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype))
        for i in blocks:
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = activation    # a Module (nn.GELU()) becomes a child, as in PyTorch

    def _self_attention(self, x: Tensor, mask: Tensor | None, padding: Tensor | None, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)


class TransformerEncoderLayer(_TransformerLayer):
    """One Transformer encoder block: self-attention, then a two-layer feed-forward network,
    each added back to its input (a residual) and layer-normalised, after the addition
    (norm_first=False, the original Transformer) or before the block (norm_first=True).
    Submodules as PyTorch names them: self_attn, linear1, dropout, linear2, norm1, norm2,
    dropout1, dropout2."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self._build("TransformerEncoderLayer", ("self_attn",), d_model, nhead, dim_feedforward, dropout, activation,
                    layer_norm_eps, batch_first, norm_first, bias, device, dtype)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src: Tensor, src_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        """src (S, N, d_model), (N, S, d_model) with batch_first, or (S, d_model); the masks as in
        MultiheadAttention (True = may not attend)."""
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))


class TransformerEncoder(Module):
    """num_layers copies of encoder_layer, one after the other (layers.0, layers.1, ...), then
    an optional final norm. enable_nested_tensor and mask_check are accepted for PyTorch's
    sake; they only choose PyTorch's fast paths, which this library does not have."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, got {type(encoder_layer).__name__}")
        self.num_layers = _positive_int(num_layers, "num_layers", "TransformerEncoder")
        self.layers = ModuleList(copy.deepcopy(encoder_layer) for _ in range(num_layers))
        self.norm = norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src: Tensor, mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)


class TransformerDecoderLayer(_TransformerLayer):
    """One Transformer decoder block: self-attention over the target, attention from the target
    to the encoder's output (memory), then the feed-forward network; each added back to its
    input and layer-normalised, after (norm_first=False) or before (norm_first=True).
    Submodules as PyTorch names them: self_attn, multihead_attn, linear1, dropout, linear2,
    norm1, norm2, norm3, dropout1, dropout2, dropout3."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self._build("TransformerDecoderLayer", ("self_attn", "multihead_attn"), d_model, nhead, dim_feedforward,
                    dropout, activation, layer_norm_eps, batch_first, norm_first, bias, device, dtype)

    def _memory_attention(self, x: Tensor, memory: Tensor, mask: Tensor | None, padding: Tensor | None,
                          is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, memory, memory, attn_mask=mask, key_padding_mask=padding, need_weights=False,
                                is_causal=is_causal)[0]
        return self.dropout2(x)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        """tgt (T, N, d_model) and memory (S, N, d_model), batch first with batch_first, or
        unbatched (T, d_model), (S, d_model); masks as in MultiheadAttention (True = may not attend)."""
        x = tgt
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._memory_attention(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal)
            return x + self._feed_forward(self.norm3(x))
        x = self.norm1(x + self._self_attention(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._memory_attention(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._feed_forward(x))


class TransformerDecoder(Module):
    """num_layers copies of decoder_layer, one after the other (layers.0, layers.1, ...), each
    attending to the same memory, then an optional final norm."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(f"TransformerDecoder: decoder_layer must be a Module, got {type(decoder_layer).__name__}")
        self.num_layers = _positive_int(num_layers, "num_layers", "TransformerDecoder")
        self.layers = ModuleList(copy.deepcopy(decoder_layer) for _ in range(num_layers))
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=bool(tgt_is_causal),
                      memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The whole encoder-decoder Transformer of "Attention Is All You Need": the encoder reads
    src into a memory, the decoder reads tgt and attends to that memory. Submodules encoder and
    decoder (each with its final LayerNorm), as PyTorch names them; the matrices start
    Xavier-uniform, as PyTorch's do."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = "relu", custom_encoder: Module | None = None,
                 custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        layer = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=dropout,
                     activation=activation, layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                     norm_first=norm_first, bias=bias, device=device, dtype=dtype)
        norm = dict(eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(**layer), num_encoder_layers, LayerNorm(d_model, **norm))
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(**layer), num_decoder_layers, LayerNorm(d_model, **norm))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.parameters():   # PyTorch's _reset_parameters: every matrix, custom parts included
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """src (S, N, E) and tgt (T, N, E) (batch first with batch_first, or unbatched (S, E),
        (T, E)); returns (T, N, E): one output per target position."""
        for name, t in (("src", src), ("tgt", tgt)):
            if not isinstance(t, Tensor):
                raise TypeError(f"Transformer: {name} must be a Tensor, got {type(t).__name__}")
        batch_dim = 0 if self.batch_first else 1
        if src.ndim != tgt.ndim or (src.ndim == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]):
            raise ShapeError(f"Transformer: src and tgt must both be batched with one batch size (dim {batch_dim}, "
                             f"batch_first={self.batch_first}) or both unbatched, got src {src.shape} and tgt {tgt.shape}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ShapeError(f"Transformer: src and tgt must have d_model={self.d_model} features (last dim), got "
                             f"src {src.shape} and tgt {tgt.shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask (sz, sz): 0 on and below the diagonal, -inf above (no peeking at later positions)."""
        return full((sz, sz), -math.inf, dtype=dtype, device=device).triu(diagonal=1)
