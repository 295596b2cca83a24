"""Diagrams: SVG safety, SVG measuring (boxes of labels and shapes) and the image
occlusion masks that turn a drawing's labels into cards (their labels computed once, here)."""
