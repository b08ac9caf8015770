"""The app's models, one module per family; every model is imported here so Django finds it."""
