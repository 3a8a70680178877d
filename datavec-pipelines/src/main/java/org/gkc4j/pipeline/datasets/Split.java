package org.gkc4j.pipeline.datasets;

/** A dataset split; each layout maps it to its own folder or list names (train2017, training, train, ...). */
public enum Split { TRAIN, VAL }
