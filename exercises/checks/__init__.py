"""The checks of the exercises: each learner's function against PyTorch, on random inputs."""
