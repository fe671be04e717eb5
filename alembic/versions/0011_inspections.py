"""inspections: plans, tasks, results; on-call cover

Revision ID: 0011_inspections
Revises: 0010_facilities
Create Date: 2026-11-30 07:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0011_inspections'
down_revision: str | None = '0010_facilities'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inspectionplan',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('subkind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('weekdays', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], ),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_inspectionplan_estate_id'), 'inspectionplan', ['estate_id'], unique=False)
    op.create_table('inspectiontask',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('defective', sa.Boolean(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], ),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['defect_id'], ['assetdefect.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['inspectionplan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('estate_id', 'key')
    )
    op.create_index(op.f('ix_inspectiontask_asset_id'), 'inspectiontask', ['asset_id'], unique=False)
    op.create_index('ix_inspectiontask_asset_done', 'inspectiontask', ['asset_id', 'done_at'], unique=False)
    op.create_index('ix_inspectiontask_estate_done', 'inspectiontask', ['estate_id', 'done_at'], unique=False)
    op.create_index('ix_inspectiontask_estate_due', 'inspectiontask', ['estate_id', 'due_at'], unique=False)
    op.create_index(op.f('ix_inspectiontask_estate_id'), 'inspectiontask', ['estate_id'], unique=False)
    op.create_index(op.f('ix_inspectiontask_plan_id'), 'inspectiontask', ['plan_id'], unique=False)
    op.create_table('inspectionresult',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('defect_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], ),
    sa.ForeignKeyConstraint(['defect_id'], ['assetdefect.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['inspectiontask.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'position'),
    sa.UniqueConstraint('task_id', 'position')
    )
    op.create_index(op.f('ix_inspectionresult_asset_id'), 'inspectionresult', ['asset_id'], unique=False)
    op.create_index(op.f('ix_inspectionresult_estate_id'), 'inspectionresult', ['estate_id'], unique=False)
    op.create_index('ix_inspectionresult_estate_recorded', 'inspectionresult', ['estate_id', 'recorded_at'], unique=False)
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_call', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('on_call')
    op.drop_index('ix_inspectionresult_estate_recorded', table_name='inspectionresult')
    op.drop_index(op.f('ix_inspectionresult_estate_id'), table_name='inspectionresult')
    op.drop_index(op.f('ix_inspectionresult_asset_id'), table_name='inspectionresult')
    op.drop_table('inspectionresult')
    op.drop_index(op.f('ix_inspectiontask_plan_id'), table_name='inspectiontask')
    op.drop_index(op.f('ix_inspectiontask_estate_id'), table_name='inspectiontask')
    op.drop_index('ix_inspectiontask_estate_due', table_name='inspectiontask')
    op.drop_index('ix_inspectiontask_estate_done', table_name='inspectiontask')
    op.drop_index('ix_inspectiontask_asset_done', table_name='inspectiontask')
    op.drop_index(op.f('ix_inspectiontask_asset_id'), table_name='inspectiontask')
    op.drop_table('inspectiontask')
    op.drop_index(op.f('ix_inspectionplan_estate_id'), table_name='inspectionplan')
    op.drop_table('inspectionplan')
