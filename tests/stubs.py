"""Stub agents behind the Believer protocol that the tests share (each written once)."""


class Copycat:
    """An agent that believes exactly what the rational agent believes, before and after every edit."""

    def __init__(self, inner, name="copycat"):
        self.inner, self.name = inner, name

    def domain(self, relation):
        return self.inner.domain(relation)

    def distributions(self, queries):
        return self.inner.distributions(queries)

    def sentence_probabilities(self, sentences):
        return self.inner.sentence_probabilities(sentences)

    def edit(self, request, seed=0):
        return Copycat(self.inner.edit(request), self.name)
