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


class EmbeddingModelUnsupported(ValidationFailed):
    code = "embedding_model_unsupported"
    default_message = (
        "Unknown embedding model: use all-MiniLM-L6-v2, openai/<model> or "
        "openai-compatible/<model>."
    )


class EmbeddingKeyMissing(ValidationFailed):
    """The knowledge base's model needs a provider key the organization has not saved."""

    code = "embedding_provider_key_missing"
    default_message = "Save the organization's key for this embedding provider first."


class EmbeddingKeyInvalid(ValidationFailed):
    code = "embedding_provider_key_invalid"
    default_message = "The embedding provider refused the organization's key."


class EmbeddingProviderUnavailable(TroupeError):
    status_code = 502
    code = "embedding_provider_unavailable"
    default_message = "The embedding provider could not embed the text."
