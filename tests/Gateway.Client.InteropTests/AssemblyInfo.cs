// One real gateway at a time: each takes most of a core while it starts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
