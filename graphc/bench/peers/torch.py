"""PyTorch: eager tensor code, and the same function under `torch.compile`;
training steps as `nn.Module`s (`nn.Linear`, `nn.LSTM`, `nn.Conv2d`) with
`F.cross_entropy` and `optim.SGD` or `optim.Adam`, each from the case's numpy
weights."""
import functools
import types

import numpy as np
import torch
import torch.nn.functional as F

from .. import cnn, lstm, mlp, workloads
from . import Column

OPS = types.SimpleNamespace(tanh=torch.tanh, relu=torch.relu, exp=torch.exp,
                            softmax=lambda v: torch.softmax(v, dim=1),
                            row_max=lambda v: v.amax(dim=1, keepdim=True),
                            row_sum=lambda v: v.sum(dim=1, keepdim=True))


def _tensors(inputs):
    return {name: torch.from_numpy(np.asarray(value)) for name, value in inputs.items()}


def _eager(case, inputs):
    tensors = _tensors(inputs)
    return lambda: case.math(OPS, **tensors)


def _compiled(case, inputs):
    compiled = torch.compile(functools.partial(case.math, OPS))
    tensors = _tensors(inputs)
    return lambda: compiled(**tensors)


def _parameter(value):
    """A parameter holding a copy of `value` (the case's inputs stay as they are)."""
    return torch.nn.Parameter(torch.from_numpy(np.array(value, order="C")))


class MLP(torch.nn.Module):
    def __init__(self, values):
        super().__init__()
        pairs = mlp.layers(values)
        self.layers = torch.nn.ModuleList(torch.nn.Linear(*w.shape) for w, _ in pairs)
        for linear, (w, b) in zip(self.layers, pairs):
            linear.weight, linear.bias = _parameter(w.T), _parameter(b)

    def forward(self, x, y):
        for linear in self.layers[:-1]:
            x = torch.relu(linear(x))
        return F.cross_entropy(self.layers[-1](x), y.argmax(dim=1))

    def state(self):
        values = {}
        for i, linear in enumerate(self.layers):
            values[f"w{i}"], values[f"b{i}"] = linear.weight.detach().numpy().T, linear.bias.detach().numpy()
        return values


# TF's gate order (i, j, f, o) -> PyTorch's (i, f, g, o), per block of `hidden` columns
_GATES = np.concatenate([np.arange(lstm.HIDDEN) + k * lstm.HIDDEN for k in (0, 2, 1, 3)])


class LSTM(torch.nn.Module):
    """`nn.LSTM` on W6's weights: TF's kernel split into weight_ih and
    weight_hh, its trained bias as bias_ih; bias_hh holds TF's constant
    forget bias and is not trained."""

    def __init__(self, values):
        super().__init__()
        self.lstm = torch.nn.LSTM(lstm.DEPTH, lstm.HIDDEN, batch_first=True)
        kernel = values["kernel"][:, _GATES]
        forget = np.zeros(4 * lstm.HIDDEN, np.float32)
        forget[lstm.HIDDEN:2 * lstm.HIDDEN] = lstm.FORGET_BIAS
        with torch.no_grad():  # in place: nn.LSTM keeps its own list of its weights
            for weight, value in ((self.lstm.weight_ih_l0, kernel[:lstm.DEPTH].T),
                                  (self.lstm.weight_hh_l0, kernel[lstm.DEPTH:].T),
                                  (self.lstm.bias_ih_l0, values["bias"][_GATES]), (self.lstm.bias_hh_l0, forget)):
                weight.copy_(torch.from_numpy(np.array(value, order="C")))
        self.lstm.bias_hh_l0.requires_grad_(False)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return torch.mean(h[-1] ** 2)

    def state(self):
        inverse = np.argsort(_GATES)
        kernel = torch.cat([self.lstm.weight_ih_l0, self.lstm.weight_hh_l0], dim=1).detach().numpy().T
        return {"kernel": kernel[:, inverse], "bias": self.lstm.bias_ih_l0.detach().numpy()[inverse]}


class CNN(torch.nn.Module):
    """W5 in NCHW as PyTorch users write it; TF's NHWC weights converted once
    (the dense layer's rows reordered from (h, w, c) to (c, h, w) flattening)."""

    def __init__(self, values):
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.Conv2d(32, 64, 5, padding=2)
        self.fc1, self.fc2 = torch.nn.Linear(7 * 7 * 64, 1024), torch.nn.Linear(1024, cnn.CLASSES)
        self.conv1.weight, self.conv1.bias = _parameter(values["w1"].transpose(3, 2, 0, 1)), _parameter(values["b1"])
        self.conv2.weight, self.conv2.bias = _parameter(values["w2"].transpose(3, 2, 0, 1)), _parameter(values["b2"])
        w3 = values["w3"].reshape(7, 7, 64, -1).transpose(2, 0, 1, 3).reshape(7 * 7 * 64, -1)
        self.fc1.weight, self.fc1.bias = _parameter(w3.T), _parameter(values["b3"])
        self.fc2.weight, self.fc2.bias = _parameter(values["w4"].T), _parameter(values["b4"])

    def forward(self, x, y):
        h = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        h = F.max_pool2d(torch.relu(self.conv2(h)), 2)
        logits = self.fc2(torch.relu(self.fc1(h.flatten(1))))
        return F.cross_entropy(logits, y.argmax(dim=1))

    def state(self):
        """The parameters back in TF's layout (HWIO kernels, (h, w, c) rows), named as in `cnn.PARAMETERS`."""
        p = {name: value.detach().numpy() for name, value in self.named_parameters()}
        w3 = p["fc1.weight"].T.reshape(64, 7, 7, -1).transpose(1, 2, 0, 3).reshape(7 * 7 * 64, -1)
        return {"w1": p["conv1.weight"].transpose(2, 3, 1, 0), "b1": p["conv1.bias"],
                "w2": p["conv2.weight"].transpose(2, 3, 1, 0), "b2": p["conv2.bias"],
                "w3": w3, "b3": p["fc1.bias"], "w4": p["fc2.weight"].T, "b4": p["fc2.bias"]}


def _train_step(model, optimizer, compiled=False, nchw=False):
    """A training step as PyTorch users write it: zero_grad, the model's loss,
    backward, optimizer.step; `compiled` puts the model under torch.compile."""
    def make(case, inputs):
        module = model(inputs)
        forward = torch.compile(module) if compiled else module
        opt = optimizer([p for p in module.parameters() if p.requires_grad])
        data = [torch.from_numpy(inputs[name]) for name in inputs if name not in case.parameters]
        if nchw:
            data[0] = data[0].permute(0, 3, 1, 2).contiguous()

        def run():
            opt.zero_grad()
            loss = forward(*data)
            loss.backward()
            opt.step()
            return loss.detach()
        if hasattr(module, "state"):
            run.state = module.state
        return run
    return make


def columns():
    version = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    sgd = functools.partial(torch.optim.SGD, lr=mlp.LEARNING_RATE)
    adam = functools.partial(torch.optim.Adam, lr=cnn.LEARNING_RATE)
    return [Column("torch eager", "torch", version,
                   {**dict.fromkeys(workloads.ARRAY_CASES + ["W7 run"], _eager),
                    mlp.STEP: _train_step(MLP, sgd), "W5 step": _train_step(CNN, adam, nchw=True),
                    lstm.STEP: _train_step(LSTM, sgd)}),
            Column("torch.compile", "torch", version,
                   {**dict.fromkeys(workloads.ARRAY_CASES + ["W7 run"], _compiled),
                    mlp.STEP: _train_step(MLP, sgd, compiled=True),
                    "W5 step": _train_step(CNN, adam, compiled=True, nchw=True),
                    lstm.STEP: _train_step(LSTM, sgd, compiled=True)})]
