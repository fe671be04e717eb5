"""indexes for the scan judge, the patrol board and the refusal limit

Revision ID: 0006_lookup_indexes
Revises: 0005_incidents
Create Date: 2026-11-25 03:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0006_lookup_indexes'
down_revision: str | None = '0005_incidents'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_patrolscan_guard_outcome_client', 'patrolscan', ['guard_id', 'outcome', 'client_time'])
    op.create_index('ix_patrolscan_guard_outcome_server', 'patrolscan', ['guard_id', 'outcome', 'server_time'])
    op.create_index('ix_patrolscan_estate_server', 'patrolscan', ['estate_id', 'server_time'])
    op.create_index('ix_auditentry_actor_created', 'auditentry', ['actor_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_auditentry_actor_created', table_name='auditentry')
    op.drop_index('ix_patrolscan_estate_server', table_name='patrolscan')
    op.drop_index('ix_patrolscan_guard_outcome_server', table_name='patrolscan')
    op.drop_index('ix_patrolscan_guard_outcome_client', table_name='patrolscan')
