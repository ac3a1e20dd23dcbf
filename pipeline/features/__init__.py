"""From a video file to its cached description: keyframes sampled, the classical descriptor,
the content embedding, the perceptual signature, Fisher vectors of colour patches, and the
incremental, parallel extraction that keeps them in features.sqlite."""
