"""Seeing the graph and the training: Graphviz drawings, a text tree, and matplotlib plots.

    tg.viz.draw_graph(loss, show_values=True)    # graphviz.Digraph, inline in Jupyter
    print(tg.viz.graph_text(loss))               # plain text, nothing to install
    tg.viz.backprop_page(loss, "loss.html")      # step through forward and backward in a browser
    tg.viz.plot_curves({"train loss": losses}, "loss.png")

graphviz and matplotlib are optional extras, imported only when a drawing is made.
"""
from tinygrad_edu.viz import plots
from tinygrad_edu.viz.player import backprop_page
from tinygrad_edu.viz.graph import GraphvizNotFoundError, dot_available, draw_graph, retain_grads, save_graph
from tinygrad_edu.viz.plots import decision_boundary, image_grid, image_grids, loss_surface, plot_curves
from tinygrad_edu.viz.report import write_demo_pictures
from tinygrad_edu.viz.text import graph_text

__all__ = ["backprop_page", "draw_graph", "save_graph", "retain_grads", "graph_text", "dot_available", "GraphvizNotFoundError",
           "plots", "plot_curves", "image_grid", "image_grids", "decision_boundary", "loss_surface", "write_demo_pictures"]
