"""Pure models (layer 0, standard library only, may import `protocol`): the dictation
lifecycle table (`lifecycle`), the transcript built from connection events (`transcript`),
word error rate (`accuracy`), the backend kinds (`backend_kind`) and the owner of background
tasks (`owned_tasks`)."""
