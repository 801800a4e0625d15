from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from troupe_api.organizations.models import Role


class OrganizationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class OrganizationUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class OrganizationRead(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    role: Role
    created_at: datetime


class MemberRead(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    joined_at: datetime


class MemberList(BaseModel):
    items: list[MemberRead]


class RoleUpdate(BaseModel):
    role: Role


class InvitationCreate(BaseModel):
    email: EmailStr
    role: Role = Role.MEMBER


class InvitationRead(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime


class InvitationCreated(InvitationRead):
    token: str = Field(description="Shown once: the invitee accepts with it.")


class InvitationList(BaseModel):
    items: list[InvitationRead]


class InvitationAccept(BaseModel):
    token: str = Field(min_length=1, max_length=256)
