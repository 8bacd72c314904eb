"""Data and feature layers of the engine (clause 5.1 layers 1-2, 5.2, 7.2).

- ``privacy``: allow-lists of the fields a builder may read, and a scan for
  personal data in anything a builder produced;
- ``datasets``: viewer x item interaction matrices and labelled exposure tables
  read from the event log for an explicit window; ``catalogue_loader`` reads the
  catalogue into the plain tables of ``catalogue``;
- ``text``, ``image``, ``audio``, ``metadata``, ``persona``: one feature block each,
  as estimators or pure functions that need no database;
- ``fusion``: ``ItemFeatureBuilder`` fuses the blocks into one vector per live room
  and per product, and ``build_item_vectors`` does so for the catalogue of a moment.
"""
