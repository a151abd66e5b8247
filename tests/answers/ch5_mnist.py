"""Alternative correct and common wrong answers to chapter 5's exercises.

Each entry is the full code a student would put in the question's one answer cell.
Kept cheap to grade: every variant of q1 and q2 trains for at most 5 and 3 epochs of
a network the size of the chapter's (about half a second an epoch on one core).
"""

Q1_ALTERNATIVE = '''\
def relu_classifier():
    """Two hidden layers, 784-256-128-10 (235,146 parameters)."""
    return nn.Sequential(
        nn.Linear(784, 256),
        nn.ReLU(),
        nn.Linear(256, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def relu_optimiser(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-3)


RELU_EPOCHS = 4
'''

Q1_SIGMOID = """\
def relu_classifier():
    # uses sigmoid hidden units, not ReLU
    return nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 10))


def relu_optimiser(model):
    return torch.optim.Adam(model.parameters(), lr=2e-3)


RELU_EPOCHS = 5
"""

Q1_RELU_ON_LOGITS = """\
def relu_classifier():
    # puts a ReLU after the output layer: the logits can no longer be negative
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10), nn.ReLU()
    )


def relu_optimiser(model):
    return torch.optim.Adam(model.parameters(), lr=2e-3)


RELU_EPOCHS = 5
"""

Q1_TOO_BIG = """\
def relu_classifier():
    # a hidden layer of 512 units: 407,050 parameters, over the limit of 300,000
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))


def relu_optimiser(model):
    return torch.optim.Adam(model.parameters(), lr=2e-3)


RELU_EPOCHS = 3
"""

Q2_ALTERNATIVE = '''\
def glorot_uniform_(net):
    """Vectorised with torch.rand, over every submodule."""
    with torch.no_grad():
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                fan_out, fan_in = layer.weight.shape
                a = (6.0 / (fan_in + fan_out)) ** 0.5
                layer.weight.copy_(a * (2 * torch.rand(fan_out, fan_in) - 1))
                layer.bias.fill_(0.0)
    return net
'''

Q2_FAN_IN_ONLY = """\
def glorot_uniform_(net):
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                # uses the fan-in only: the bound of He's uniform initialiser
                bound = math.sqrt(6 / layer.in_features)
                layer.weight.uniform_(-bound, bound)
                layer.bias.zero_()
    return net
"""

Q2_NORMAL = """\
def glorot_uniform_(net):
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                bound = math.sqrt(6 / (layer.in_features + layer.out_features))
                # draws from a normal with the uniform's standard deviation a/√3
                layer.weight.normal_(0.0, bound / math.sqrt(3))
                layer.bias.zero_()
    return net
"""

Q2_BIASES_KEPT = """\
def glorot_uniform_(net):
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                bound = math.sqrt(6 / (layer.in_features + layer.out_features))
                layer.weight.uniform_(-bound, bound)
                # forgets to zero the biases (PyTorch's default biases stay)
    return net
"""

Q2_ALIASED_NN_INIT = """\
from torch.nn import init as weight_init


def glorot_uniform_(net):
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                # calls nn.init.xavier_uniform_ under another name: not allowed
                weight_init.xavier_uniform_(layer.weight)
                layer.bias.zero_()
    return net
"""

Q3_ALTERNATIVE = '''\
import copy


def smallest_pre_activation(net, images):
    """Written out: z = x Wᵀ + b, without autograd."""
    first = net[0]
    with torch.no_grad():
        z = images @ first.weight.T + first.bias
    return float(z.min())


def without_activation(net):
    layers = [nn.Identity() if i == 1 else layer for i, layer in enumerate(net)]
    return copy.deepcopy(nn.Sequential(*layers))


def acts_linearly(net, images):
    with torch.no_grad():
        same = net(images) == without_activation(net)(images)
    return bool(same.all())
'''

Q3_LOGITS = """\
import copy


def smallest_pre_activation(net, images):
    # takes the minimum of the logits, not of the hidden pre-activations
    with torch.no_grad():
        return net(images).min().item()


def without_activation(net):
    twin = copy.deepcopy(net)
    twin[1] = nn.Identity()
    return twin


def acts_linearly(net, images):
    with torch.no_grad():
        return torch.equal(net(images), without_activation(net)(images))
"""

Q3_IN_PLACE = """\
import copy


def smallest_pre_activation(net, images):
    with torch.no_grad():
        return net[0](images).min().item()


def without_activation(net):
    # replaces the activation of the original network instead of a copy's
    net[1] = nn.Identity()
    return net


def acts_linearly(net, images):
    with torch.no_grad():
        return torch.equal(net(images), without_activation(net)(images))
"""

ANSWERS = {
    "q1": {
        "alternatives": [Q1_ALTERNATIVE],
        "wrong": [Q1_SIGMOID, Q1_RELU_ON_LOGITS, Q1_TOO_BIG],
    },
    "q2": {
        "alternatives": [Q2_ALTERNATIVE],
        "wrong": [Q2_FAN_IN_ONLY, Q2_NORMAL, Q2_BIASES_KEPT, Q2_ALIASED_NN_INIT],
    },
    "q3": {
        "alternatives": [Q3_ALTERNATIVE],
        "wrong": [Q3_LOGITS, Q3_IN_PLACE],
    },
}
