"""tinygrad_edu.utils.data: datasets, samplers and the DataLoader, under PyTorch's module path
(torch.utils.data), so that `from tinygrad_edu.utils.data import DataLoader` reads the same.

    dataset.py     Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split
    sampler.py     Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                   WeightedRandomSampler, BatchSampler
    collate.py     default_collate, default_convert
    dataloader.py  DataLoader
    workers.py     the worker processes behind num_workers > 0, and get_worker_info
"""
from tinygrad_edu.utils.data.collate import default_collate, default_convert
from tinygrad_edu.utils.data.dataloader import DataLoader
from tinygrad_edu.utils.data.dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                                             random_split)
from tinygrad_edu.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                             SubsetRandomSampler, WeightedRandomSampler)
from tinygrad_edu.utils.data.workers import WorkerInfo, get_worker_info

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler",
           "WorkerInfo", "default_collate", "default_convert", "get_worker_info", "random_split"]
