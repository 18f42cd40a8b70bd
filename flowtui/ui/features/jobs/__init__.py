"""The app's background work: each job kind runs in thread workers of its own group and
reports back only through typed messages, which the app routes to the job's handlers."""
