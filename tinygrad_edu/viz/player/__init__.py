"""The backprop player: one HTML file in which a graph runs forward and backward, step by step.

    page = tg.viz.backprop_page(loss, "loss.html", module=model)   # open loss.html in a browser
    tg.study.trace_backward(loss).to_html()                          # the same page from a trace
    tg.viz.backprop_page(neuron, "neuron.html", inputs={"x": x, "w": w, "b": b})   # with sliders

The page holds the graph's SVG (drawn by Graphviz as draw_graph draws it), the numbers of
the forward pass and of `trace_backward`'s steps (formatted by Python), and a small script
(player.js) that steps through them. It works offline, prints, and reads without JavaScript.
"""
from tinygrad_edu.viz.player.page import PlayerPage, backprop_page

__all__ = ["backprop_page", "PlayerPage"]
