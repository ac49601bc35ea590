"""Training of the models Isnad ships (``isnad train …``); needs the ``train`` extra (scikit-learn)."""
