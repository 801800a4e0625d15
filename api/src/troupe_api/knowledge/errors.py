"""Knowledge-base errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, NotFound, TroupeError, ValidationFailed


class KnowledgeBaseNotFound(NotFound):
    code = "knowledge_base_not_found"
    default_message = "Knowledge base not found."


class KnowledgeDocumentNotFound(NotFound):
    code = "knowledge_document_not_found"
    default_message = "Document not found."


class KnowledgeBaseNameTaken(Conflict):
    code = "knowledge_base_name_taken"
    default_message = "A knowledge base with this name already exists."


class KnowledgeLimitReached(Conflict):
    code = "knowledge_limit_reached"
    default_message = "The plan's knowledge-base limit is reached."


class FileTooLarge(TroupeError):
    status_code = 413
    code = "file_too_large"
    default_message = "The file is larger than the plan allows."


class DocumentRejected(ValidationFailed):
    """The upload cannot become knowledge (empty, wrong type, ...): nothing was stored."""

    code = "document_rejected"
    default_message = "The file cannot be added to a knowledge base."
