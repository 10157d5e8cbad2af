"""The desktop app (layer 5, composition): the QApplication on a qasync loop, logging and
the error funnel, the self-check. Wires every lower layer together and is imported by nothing
but `__main__`."""
