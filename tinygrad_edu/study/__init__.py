"""Studying backpropagation: traces, gradient checks, anomaly detection, training records.

    trace = tg.study.trace_backward(loss)      # every backward step, as a table and as data
    tg.gradcheck(fn, inputs)                   # autograd vs finite differences
    with tg.detect_anomaly(): ...              # the first op that made NaN or inf
    rec = tg.study.Recorder(model)             # loss, gradient norms, update ratios, dead ReLUs
    tg.study.keep_graphs()                     # study mode: backward keeps every value and gradient
"""
from tinygrad_edu.study.anomaly import AnomalyError, detect_anomaly
from tinygrad_edu.study.keep import keep_graphs, keeping_graphs
from tinygrad_edu.study.gradcheck import GradcheckError, Mismatch, gradcheck
from tinygrad_edu.study.recorder import Recorder, StepRecord
from tinygrad_edu.study.trace import BackwardStep, BackwardTrace, InputGradient, LeafGradient, trace_backward

__all__ = ["trace_backward", "BackwardTrace", "BackwardStep", "InputGradient", "LeafGradient", "gradcheck",
           "GradcheckError", "Mismatch", "detect_anomaly", "AnomalyError", "Recorder", "StepRecord",
           "keep_graphs", "keeping_graphs"]
