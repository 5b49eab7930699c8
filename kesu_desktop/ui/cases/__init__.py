"""The case list, its table model, the case detail and the action dialogs."""
