"""Learned models of the engine's model layer (clauses 5.3 and 5.4.1).

Recall by collaborative filtering lives in ``cf`` (most popular, item-kNN, EASE),
``lowrank`` (PureSVD, implicit ALS) and ``blend``; all share the estimator interface
of ``base.Recommender``. How the engine's recall model is chosen, by measurement on a
validation split, is in ``recengine.evaluation.selection``.

Submodules are imported where they are used, so that loading one model does not
load the numeric stack of all the others.
"""
