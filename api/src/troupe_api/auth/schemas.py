from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from troupe_api.organizations.models import Role

TokenDelivery = Literal["cookie", "body"]
_DELIVERY_DOC = (
    "cookie: httpOnly cookies for the web app (no tokens in the body); "
    "body: tokens in the JSON body for API clients (no cookies)."
)


class RegisterRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=10, max_length=256)
    display_name: str = Field(default="", max_length=200)
    organization_name: str = Field(min_length=1, max_length=200)
    delivery: TokenDelivery = Field(default="cookie", description=_DELIVERY_DOC)


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    delivery: TokenDelivery = Field(default="cookie", description=_DELIVERY_DOC)


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(
        default=None,
        max_length=256,
        description="API clients send it here; the web app omits it and uses its cookie.",
    )


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    created_at: datetime
    email_verified_at: datetime | None = Field(
        default=None,
        description="When the address was verified; null until the mailed link is opened.",
    )


class MembershipRead(BaseModel):
    organization_id: uuid.UUID
    organization_name: str
    organization_slug: str
    role: Role


class AuthResponse(BaseModel):
    user: UserRead
    access_expires_at: datetime
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: Literal["bearer"] = "bearer"


class MeRead(BaseModel):
    user: UserRead
    memberships: list[MembershipRead]
    default_organization_id: uuid.UUID | None
    pending_email: str | None = Field(
        default=None, description="A requested new email address not yet confirmed."
    )


class EmailChangeRequest(BaseModel):
    email: EmailStr
    current_password: str = Field(min_length=1, max_length=256)


class EmailChangePending(BaseModel):
    pending_email: str
    expires_at: datetime


class EmailChangeConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=256)


class EmailChanged(BaseModel):
    email: str


class EmailVerificationConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=256)


class EmailVerified(BaseModel):
    email: str
    email_verified_at: datetime


class EmailVerificationSent(BaseModel):
    sent: bool = Field(description="False when the address was already verified.")


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=10, max_length=256)


class ProfileUpdate(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class OAuthProviderRead(BaseModel):
    name: str
    label: str
    start_url: str = Field(description="Open this path in the browser to sign in.")


class OAuthProviderList(BaseModel):
    items: list[OAuthProviderRead]
