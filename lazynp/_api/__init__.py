"""The recording front end of the lazy tier, one module per family of calls (ufuncs,
reductions, shapes and views, creation, the operator and method tables, argument checks, the
array API functions): each records a node or hands the call to NumPy."""
