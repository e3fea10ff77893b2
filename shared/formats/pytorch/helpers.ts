/**
 * Python helper definitions the PyTorch exporter writes into model.py, each only when a layer uses
 * it (explicit recurrent cells, TF.js-exact activations and padding, attention blocks, ...).
 * Kept apart from the generator (pytorch.ts) because it is Python source, not generator logic.
 */

export const HELPERS: Record<string, string> = {
  identity: `def identity(x):
    return x
`,
  hard_sigmoid: `def hard_sigmoid(x):
    """TF.js/Keras 2 hard sigmoid: clip(0.2 * x + 0.5, 0, 1) (torch's F.hardsigmoid uses slope 1/6)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
`,
  softmax_last: `def softmax_last(x):
    return torch.softmax(x, dim=-1)
`,
  avg_pool_same: `def avg_pool_same(x, pads, kernel, stride):
    """TF "same" average pooling: zero padding that does not count in the average."""
    pool = F.avg_pool2d if x.dim() == 4 else F.avg_pool1d
    ones = F.pad(torch.ones_like(x[:, :1]), pads)
    return pool(F.pad(x, pads), kernel, stride) / pool(ones, kernel, stride)
`,
  upsample_bilinear_tf: `def upsample_bilinear_tf(x, scale):
    """TF.js UpSampling2D "bilinear" (resizeBilinear without half-pixel centres): output pixel i reads
    the input at i / scale (torch's align_corners=False would shift by half a pixel)."""
    def axis(size, s):
        src = torch.arange(size * s, device=x.device, dtype=x.dtype) / s
        i0 = src.floor().long().clamp(max=size - 1)
        return i0, (i0 + 1).clamp(max=size - 1), src - i0.to(x.dtype)
    y0, y1, fy = axis(x.shape[2], scale[0])
    x0, x1, fx = axis(x.shape[3], scale[1])
    rows0, rows1 = x[:, :, y0], x[:, :, y1]
    top = rows0[..., x0] * (1 - fx) + rows0[..., x1] * fx
    bottom = rows1[..., x0] * (1 - fx) + rows1[..., x1] * fx
    fy = fy.view(-1, 1)
    return top * (1 - fy) + bottom * fy
`,
  SeparableConv2d: `class SeparableConv2d(nn.Module):
    """Keras SeparableConv2D: a depthwise convolution (no bias), then a 1x1 pointwise convolution."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, depth_multiplier=1, bias=True):
        super().__init__()
        mid = in_channels * depth_multiplier
        self.depthwise = nn.Conv2d(in_channels, mid, kernel_size, stride=stride, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(mid, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
`,
  Recurrent: `class Recurrent(nn.Module):
    """A Keras/TF.js recurrent layer written out step by step: 'rnn' (SimpleRNN), 'lstm', or 'gru'.

    The GRU is TF.js' (Keras reset_after=False): the reset gate multiplies the previous state before
    the recurrent matmul, which torch.nn.GRU cannot express. Weights use PyTorch's layout:
    weight_ih [gates * units, features], weight_hh [gates * units, units], one bias [gates * units];
    gate order i, f, g, o (LSTM, as PyTorch) and z, r, h (GRU, as Keras). Input [batch, time, features].
    """

    def __init__(self, cell, input_size, units, activation=torch.tanh, recurrent_activation=torch.sigmoid,
                 bias=True, return_sequences=False):
        super().__init__()
        gates = {'rnn': 1, 'lstm': 4, 'gru': 3}[cell]
        self.cell, self.units, self.return_sequences = cell, units, return_sequences
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.weight_ih = nn.Parameter(torch.empty(gates * units, input_size))
        self.weight_hh = nn.Parameter(torch.empty(gates * units, units))
        self.bias = nn.Parameter(torch.zeros(gates * units)) if bias else None
        nn.init.xavier_uniform_(self.weight_ih)
        nn.init.orthogonal_(self.weight_hh)

    def forward(self, x):
        batch, steps, _ = x.shape
        u = self.units
        h = x.new_zeros(batch, u)
        c = x.new_zeros(batch, u)
        xw = F.linear(x, self.weight_ih, self.bias)
        outputs = []
        for t in range(steps):
            xt = xw[:, t]
            if self.cell == 'lstm':
                i, f, g, o = (xt + h @ self.weight_hh.t()).chunk(4, dim=1)
                i, f, o = self.recurrent_activation(i), self.recurrent_activation(f), self.recurrent_activation(o)
                c = f * c + i * self.activation(g)
                h = o * self.activation(c)
            elif self.cell == 'gru':
                xz, xr, xh = xt.chunk(3, dim=1)
                hz, hr = (h @ self.weight_hh[:2 * u].t()).chunk(2, dim=1)
                z = self.recurrent_activation(xz + hz)
                r = self.recurrent_activation(xr + hr)
                candidate = self.activation(xh + (r * h) @ self.weight_hh[2 * u:].t())
                h = z * h + (1 - z) * candidate
            else:
                h = self.activation(xt + h @ self.weight_hh.t())
            outputs.append(h)
        return torch.stack(outputs, dim=1) if self.return_sequences else h
`,
  Bidirectional: `class Bidirectional(nn.Module):
    """Keras Bidirectional: one layer reads the sequence forwards, the other backwards; outputs merged
    ('concat', 'sum', 'mul', 'ave'). With return_sequences the backward outputs are re-reversed so that
    step t of both directions lines up, as in Keras."""

    def __init__(self, forward_layer, backward_layer, merge_mode='concat', return_sequences=False):
        super().__init__()
        self.forward_layer, self.backward_layer = forward_layer, backward_layer
        self.merge_mode, self.return_sequences = merge_mode, return_sequences

    def forward(self, x):
        y = self.forward_layer(x)
        y_back = self.backward_layer(x.flip(1))
        if self.return_sequences:
            y_back = y_back.flip(1)
        if self.merge_mode == 'concat':
            return torch.cat([y, y_back], dim=-1)
        if self.merge_mode == 'sum':
            return y + y_back
        if self.merge_mode == 'mul':
            return y * y_back
        return (y + y_back) / 2
`,
  MultiHeadAttention: `class MultiHeadAttention(nn.Module):
    """keras.layers.MultiHeadAttention: query/key/value projections into heads, scaled dot-product
    attention per head, softmax over the keys, an output projection. Called as (query[, value[, key]]):
    value defaults to query, key to value. causal: query i attends to keys 0..i only (an additive
    -1e9 mask, as Keras' masked softmax)."""

    def __init__(self, query_dim, key_in_dim, value_in_dim, num_heads, key_dim, value_dim, output_dim,
                 bias=True, dropout=0.0, causal=False):
        super().__init__()
        self.num_heads, self.key_dim, self.value_dim, self.causal = num_heads, key_dim, value_dim, causal
        self.query = nn.Linear(query_dim, num_heads * key_dim, bias=bias)
        self.key = nn.Linear(key_in_dim, num_heads * key_dim, bias=bias)
        self.value = nn.Linear(value_in_dim, num_heads * value_dim, bias=bias)
        self.output = nn.Linear(num_heads * value_dim, output_dim, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, value=None, key=None):
        value = query if value is None else value
        key = value if key is None else key
        batch, tq, _ = query.shape
        tk = key.shape[1]
        h = self.num_heads
        q = self.query(query).view(batch, tq, h, self.key_dim).transpose(1, 2)
        k = self.key(key).view(batch, tk, h, self.key_dim).transpose(1, 2)
        v = self.value(value).view(batch, tk, h, self.value_dim).transpose(1, 2)
        logits = q @ k.transpose(-1, -2) / math.sqrt(self.key_dim)
        if self.causal:
            logits = logits + torch.full((tq, tk), -1e9, device=logits.device).triu(tk - tq + 1)
        scores = torch.softmax(logits, dim=-1)
        context = (self.dropout(scores) @ v).transpose(1, 2).reshape(batch, tq, h * self.value_dim)
        return self.output(context)
`,
  TransformerEncoder: `class TransformerEncoder(nn.Module):
    """keras_nlp TransformerEncoder: self-attention and a feed-forward network, each followed by
    dropout and a residual connection, with LayerNormalization after (post-norm) or before
    (normalize_first) each sub-layer."""

    def __init__(self, dim, num_heads, intermediate_dim, dropout=0.1, activation=F.relu,
                 layer_norm_epsilon=1e-5, normalize_first=False):
        super().__init__()
        head = dim // num_heads
        self.self_attention = MultiHeadAttention(dim, dim, dim, num_heads, head, head, dim, True, dropout)
        self.self_attention_layer_norm = nn.LayerNorm(dim, eps=layer_norm_epsilon)
        self.feedforward_intermediate_dense = nn.Linear(dim, intermediate_dim)
        self.feedforward_output_dense = nn.Linear(intermediate_dim, dim)
        self.feedforward_layer_norm = nn.LayerNorm(dim, eps=layer_norm_epsilon)
        self.dropout = nn.Dropout(dropout)
        self.activation, self.normalize_first = activation, normalize_first

    def forward(self, x):
        h = self.self_attention_layer_norm(x) if self.normalize_first else x
        y = x + self.dropout(self.self_attention(h))
        if not self.normalize_first:
            y = self.self_attention_layer_norm(y)
        f = self.feedforward_layer_norm(y) if self.normalize_first else y
        f = self.dropout(self.feedforward_output_dense(self.activation(self.feedforward_intermediate_dense(f))))
        z = y + f
        if not self.normalize_first:
            z = self.feedforward_layer_norm(z)
        return z
`,
  TransformerDecoder: `class TransformerDecoder(nn.Module):
    """keras_nlp TransformerDecoder: causal self-attention, cross-attention on the encoder output
    (when built with encoder_dim), a feed-forward network; each followed by dropout and a residual
    connection, with LayerNormalization after (post-norm) or before (normalize_first) each sub-layer.
    Called as (x) or (x, encoder_output)."""

    def __init__(self, dim, num_heads, intermediate_dim, encoder_dim=None, dropout=0.0, activation=F.relu,
                 layer_norm_epsilon=1e-5, normalize_first=False):
        super().__init__()
        head = dim // num_heads
        self.self_attention = MultiHeadAttention(dim, dim, dim, num_heads, head, head, dim, True, dropout, causal=True)
        self.self_attention_layer_norm = nn.LayerNorm(dim, eps=layer_norm_epsilon)
        if encoder_dim is not None:
            self.cross_attention = MultiHeadAttention(dim, encoder_dim, encoder_dim, num_heads, head, head, dim, True, dropout)
            self.cross_attention_layer_norm = nn.LayerNorm(dim, eps=layer_norm_epsilon)
        self.feedforward_intermediate_dense = nn.Linear(dim, intermediate_dim)
        self.feedforward_output_dense = nn.Linear(intermediate_dim, dim)
        self.feedforward_layer_norm = nn.LayerNorm(dim, eps=layer_norm_epsilon)
        self.dropout = nn.Dropout(dropout)
        self.activation, self.normalize_first = activation, normalize_first

    def _sub(self, x, norm, body):
        y = x + self.dropout(body(norm(x) if self.normalize_first else x))
        return y if self.normalize_first else norm(y)

    def forward(self, x, encoder=None):
        y = self._sub(x, self.self_attention_layer_norm, self.self_attention)
        if encoder is not None:
            y = self._sub(y, self.cross_attention_layer_norm, lambda h: self.cross_attention(h, encoder))
        ff = lambda h: self.feedforward_output_dense(self.activation(self.feedforward_intermediate_dense(h)))
        return self._sub(y, self.feedforward_layer_norm, ff)
`,
  PositionalEmbedding: `class PositionalEmbedding(nn.Module):
    """Adds a learned vector per position: x[:, t] + embeddings[t]."""

    def __init__(self, sequence_length, dim):
        super().__init__()
        self.embeddings = nn.Parameter(torch.empty(sequence_length, dim))
        nn.init.xavier_uniform_(self.embeddings)

    def forward(self, x):
        return x + self.embeddings[: x.shape[1]]
`,
};
/** Helpers in the order they are written into model.py. */
export const HELPER_ORDER = Object.keys(HELPERS);
