"""From described videos to predictions: the fused rows, the classifiers, the temperature and
open-set calibrations, the model saved without pickle, and the train, predict and refit jobs."""
