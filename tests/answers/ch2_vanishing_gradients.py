"""Alternative correct and common wrong answers to chapter 2's exercises.

Each entry is the full code a student would put in the question's answer cell (one
cell per question in chapter 2).  The exercises may use the chapter's names: ``np``,
``math``, ``torch``, ``sigmoid``, ``sigmoid_prime``, ``tanh_prime``, ``gaussian_mean``,
``gaussian_rms``, ``backward_norms``, ``per_layer_factor``, ``saturated_share``,
``WIDTH``, ``DEPTH``, ``xavier_std``.  tests/test_answer_variants.py grades them.
"""

ANSWERS = {
    "q1": {
        "alternatives": [
            # vectorised over candidate depths; the float32 test done in PyTorch
            """
def first_depth_below(threshold, factor=0.25):
    depths = np.arange(1, 10_000)
    return int(depths[np.float64(factor) ** depths < threshold][0])


smallest_normal32 = float(np.finfo(np.float32).smallest_normal)
depth_below_1e9 = first_depth_below(1e-9)
g = torch.tensor(0.25, dtype=torch.float32) ** depth_below_1e9
normal_in_float32 = g >= torch.finfo(torch.float32).smallest_normal
""",
            # a loop over factor ** L, and np.float32 arithmetic
            """
def first_depth_below(threshold, factor=0.25):
    depth = 1
    while factor**depth >= threshold:
        depth += 1
    return depth


smallest_normal32 = float(np.finfo(np.float32).smallest_normal)
depth_below_1e9 = first_depth_below(1e-9)
normal_in_float32 = bool(np.float32(0.25) ** depth_below_1e9 >= np.float32(smallest_normal32))
""",
        ],
        "wrong": [
            # stops at factor ** L == threshold: "<=" where the exercise says "below"
            """
def first_depth_below(threshold, factor=0.25):
    depth, product = 1, factor
    while product > threshold:
        depth += 1
        product *= factor
    return depth


smallest_normal32 = float(np.finfo(np.float32).smallest_normal)
depth_below_1e9 = first_depth_below(1e-9)
normal_in_float32 = 0.25**depth_below_1e9 >= smallest_normal32
""",
            # the log formula rounded up: wrong whenever the threshold is an exact power
            """
def first_depth_below(threshold, factor=0.25):
    return max(1, math.ceil(math.log(threshold) / math.log(factor)))


smallest_normal32 = float(np.finfo(np.float32).smallest_normal)
depth_below_1e9 = first_depth_below(1e-9)
normal_in_float32 = 0.25**depth_below_1e9 >= smallest_normal32
""",
            # confuses precision with range: compares with machine epsilon
            """
def first_depth_below(threshold, factor=0.25):
    depth, product = 1, factor
    while product >= threshold:
        depth += 1
        product *= factor
    return depth


smallest_normal32 = float(np.finfo(np.float32).smallest_normal)
depth_below_1e9 = first_depth_below(1e-9)
normal_in_float32 = 0.25**depth_below_1e9 >= np.finfo(np.float32).eps
""",
        ],
    },
    "q2": {
        "alternatives": [
            # float32 arrays, gaussian_rms, the geometric mean as a root of the product
            """
def predicted_factors(weight_std, width=WIDTH, depth=DEPTH):
    nv = np.float32(width * weight_std**2)
    variance = nv  # the inputs have unit variance
    chis = np.empty(depth, dtype=np.float32)
    for layer in range(depth):
        spread = np.sqrt(variance)
        chis[layer] = np.sqrt(nv) * gaussian_rms(tanh_prime, spread)
        variance = nv * gaussian_mean(lambda z: np.tanh(z) ** 2, spread)
    return chis


chis = predicted_factors(xavier_std)
predicted_end_to_end = np.prod(chis[:-1]) ** (1 / (DEPTH - 1))
tanh_norms, _ = backward_norms("tanh", xavier_std)
first_over_last = tanh_norms[0] / tanh_norms[-1]
measured_end_to_end = np.exp(np.log(first_over_last) / (DEPTH - 1))
prediction_error = np.abs(measured_end_to_end - predicted_end_to_end)
""",
        ],
        "wrong": [
            # uses the mean E[tanh'] where the norm needs the root mean square
            """
def predicted_factors(weight_std, width=WIDTH, depth=DEPTH):
    nv = width * weight_std**2
    spread = math.sqrt(nv)
    chis = []
    for _ in range(depth):
        chis.append(math.sqrt(nv) * gaussian_mean(tanh_prime, spread))
        spread = math.sqrt(nv * gaussian_mean(lambda z: np.tanh(z) ** 2, spread))
    return np.array(chis)


chis = predicted_factors(xavier_std)
predicted_end_to_end = np.exp(np.mean(np.log(chis[:-1])))
tanh_norms, _ = backward_norms("tanh", xavier_std)
first_over_last = tanh_norms[0] / tanh_norms[-1]
measured_end_to_end = first_over_last ** (1 / (DEPTH - 1))
prediction_error = abs(measured_end_to_end - predicted_end_to_end)
""",
            # never updates the spread: every layer gets layer 1's
            """
def predicted_factors(weight_std, width=WIDTH, depth=DEPTH):
    nv = width * weight_std**2
    spread = math.sqrt(nv)
    chi = math.sqrt(nv * gaussian_mean(lambda z: tanh_prime(z) ** 2, spread))
    return np.full(depth, chi)


chis = predicted_factors(xavier_std)
predicted_end_to_end = np.exp(np.mean(np.log(chis[:-1])))
tanh_norms, _ = backward_norms("tanh", xavier_std)
first_over_last = tanh_norms[0] / tanh_norms[-1]
measured_end_to_end = first_over_last ** (1 / (DEPTH - 1))
prediction_error = abs(measured_end_to_end - predicted_end_to_end)
""",
            # measures the ratio upside down: layer 15 over layer 1
            """
def predicted_factors(weight_std, width=WIDTH, depth=DEPTH):
    nv = width * weight_std**2
    spread = math.sqrt(nv)
    chis = []
    for _ in range(depth):
        chis.append(math.sqrt(nv * gaussian_mean(lambda z: tanh_prime(z) ** 2, spread)))
        spread = math.sqrt(nv * gaussian_mean(lambda z: np.tanh(z) ** 2, spread))
    return np.array(chis)


chis = predicted_factors(xavier_std)
predicted_end_to_end = np.exp(np.mean(np.log(chis[:-1])))
tanh_norms, _ = backward_norms("tanh", xavier_std)
first_over_last = tanh_norms[-1] / tanh_norms[0]
measured_end_to_end = first_over_last ** (1 / (DEPTH - 1))
prediction_error = abs(measured_end_to_end - predicted_end_to_end)
""",
        ],
    },
    "q3": {
        "alternatives": [
            # a fixed number of halvings; the saturated share over all units at once
            """
def sigmoid_factor(gain):
    norms = backward_norms("sigmoid", gain * WIDTH**-0.5)[0]
    return per_layer_factor(norms)


low, high = 1.0, 40.0
for _ in range(20):
    middle = 0.5 * (low + high)
    if sigmoid_factor(middle) > 1:
        high = middle
    else:
        low = middle
critical_gain = 0.5 * (low + high)
std_critical = critical_gain / np.sqrt(WIDTH)
zs_critical = backward_norms("sigmoid", std_critical)[1]
all_z = np.concatenate([z.ravel() for z in zs_critical])
saturated_at_critical = np.mean(sigmoid_prime(all_z) < 0.01)
""",
        ],
        "wrong": [
            # uses the gain itself as the weights' standard deviation (forgets 1/√n)
            """
def sigmoid_factor(gain):
    norms = backward_norms("sigmoid", gain)[0]
    return per_layer_factor(norms)


low, high = 1.0, 40.0
while high - low > 0.01:
    middle = (low + high) / 2
    if sigmoid_factor(middle) < 1:
        low = middle
    else:
        high = middle
critical_gain = (low + high) / 2
std_critical = critical_gain
zs_critical = backward_norms("sigmoid", std_critical)[1]
saturated_at_critical = saturated_share("sigmoid", zs_critical)
""",
            # bisection with its branches swapped: it runs to the end of the bracket
            """
def sigmoid_factor(gain):
    norms, _ = backward_norms("sigmoid", gain / math.sqrt(WIDTH))
    return per_layer_factor(norms)


low, high = 1.0, 40.0
while high - low > 0.01:
    middle = (low + high) / 2
    if sigmoid_factor(middle) < 1:
        high = middle
    else:
        low = middle
critical_gain = (low + high) / 2
std_critical = critical_gain / math.sqrt(WIDTH)
zs_critical = backward_norms("sigmoid", std_critical)[1]
saturated_at_critical = saturated_share("sigmoid", zs_critical)
""",
            # right gain, but the saturation measured with the gain as the std
            """
def sigmoid_factor(gain):
    norms, _ = backward_norms("sigmoid", gain / math.sqrt(WIDTH))
    return per_layer_factor(norms)


low, high = 1.0, 40.0
while high - low > 0.01:
    middle = (low + high) / 2
    if sigmoid_factor(middle) < 1:
        low = middle
    else:
        high = middle
critical_gain = (low + high) / 2
zs_critical = backward_norms("sigmoid", critical_gain)[1]
saturated_at_critical = saturated_share("sigmoid", zs_critical)
""",
        ],
    },
    "q4": {
        "alternatives": [
            # the gain typed in; the end-to-end factor; float32; grows read off the norms
            """
tanh_gain = 5 / 3
norms_at_gain = backward_norms("tanh", tanh_gain * xavier_std)[0]
tanh_gain_factor = np.float32(norms_at_gain[0] / norms_at_gain[-1]) ** (1 / (DEPTH - 1))
tanh_gain_grows = bool(norms_at_gain[0] > norms_at_gain[-1])
""",
        ],
        "wrong": [
            # forgets to divide by √n: the gain used as the standard deviation
            """
tanh_gain = torch.nn.init.calculate_gain("tanh")
tanh_gain_norms = backward_norms("tanh", tanh_gain)[0]
tanh_gain_factor = per_layer_factor(tanh_gain_norms)
tanh_gain_grows = tanh_gain_factor > 1
""",
            # the ratio over all 15 layers, not per layer
            """
tanh_gain = torch.nn.init.calculate_gain("tanh")
tanh_gain_norms = backward_norms("tanh", tanh_gain / math.sqrt(WIDTH))[0]
tanh_gain_factor = tanh_gain_norms[0] / tanh_gain_norms[-1]
tanh_gain_grows = tanh_gain_factor > 1
""",
            # reads "grows" from layer 1 up to layer 15
            """
tanh_gain = torch.nn.init.calculate_gain("tanh")
tanh_gain_norms = backward_norms("tanh", tanh_gain / math.sqrt(WIDTH))[0]
tanh_gain_factor = per_layer_factor(tanh_gain_norms)
tanh_gain_grows = tanh_gain_factor < 1
""",
            # takes He's gain for ReLU, √2, instead of tanh's
            """
tanh_gain = math.sqrt(2)
tanh_gain_norms = backward_norms("tanh", tanh_gain / math.sqrt(WIDTH))[0]
tanh_gain_factor = per_layer_factor(tanh_gain_norms)
tanh_gain_grows = tanh_gain_factor > 1
""",
        ],
    },
    "q5": {
        "alternatives": [
            # the difference of the logits of the two roots, vectorised over w
            '''
def nielsen_width(w):
    """Width of the interval of inputs a with |w σ′(w a + b)| ≥ 1, for |w| ≥ 4."""
    w = np.abs(w)
    root = np.sqrt(1 - 4 / w)
    y_plus, y_minus = (1 + root) / 2, (1 - root) / 2
    return (np.log(y_plus / (1 - y_plus)) - np.log(y_minus / (1 - y_minus))) / w


a_grid = np.linspace(-3, 3, 600_001)
inside = np.abs(6 * sigmoid_prime(6 * a_grid)) >= 1
measured_width_6 = np.ptp(a_grid[inside])
w_grid = np.arange(4, 20, 0.001)
widest_w = w_grid[np.argmax(nielsen_width(w_grid))]
''',
        ],
        "wrong": [
            # log base 10 instead of the natural logarithm
            '''
def nielsen_width(w):
    """Width of the interval of inputs a with |w σ′(w a + b)| ≥ 1, for |w| ≥ 4."""
    w = abs(w)
    return 2 / w * math.log10(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)


a_grid = np.linspace(-3, 3, 600_001)
inside = np.abs(6 * sigmoid_prime(6 * a_grid)) >= 1
measured_width_6 = a_grid[inside].max() - a_grid[inside].min()
w_grid = np.arange(4, 20, 0.001)
widest_w = w_grid[np.argmax([nielsen_width(w) for w in w_grid])]
''',
            # forgets |w|: fails for negative weights
            '''
def nielsen_width(w):
    """Width of the interval of inputs a with |w σ′(w a + b)| ≥ 1, for |w| ≥ 4."""
    return 2 / w * math.log(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)


a_grid = np.linspace(-3, 3, 600_001)
inside = np.abs(6 * sigmoid_prime(6 * a_grid)) >= 1
measured_width_6 = a_grid[inside].max() - a_grid[inside].min()
w_grid = np.arange(4, 20, 0.001)
widest_w = w_grid[np.argmax([nielsen_width(w) for w in w_grid])]
''',
            # the width in w a + b, not in a: drops the 1/|w|
            '''
def nielsen_width(w):
    """Width of the interval of inputs a with |w σ′(w a + b)| ≥ 1, for |w| ≥ 4."""
    w = abs(w)
    return 2 * math.log(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)


a_grid = np.linspace(-3, 3, 600_001)
inside = np.abs(6 * sigmoid_prime(6 * a_grid)) >= 1
measured_width_6 = a_grid[inside].max() - a_grid[inside].min()
w_grid = np.arange(4, 20, 0.001)
widest_w = w_grid[np.argmax([nielsen_width(w) for w in w_grid])]
''',
        ],
    },
}
