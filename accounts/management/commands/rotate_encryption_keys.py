"""Re-encrypt every EncryptedTextField value under the first key of FIELD_ENCRYPTION_KEYS.

Key rotation: put the new key first, deploy, run this, then drop the old key.
Safe to run again (rows already under the newest key are skipped) and while the site runs
(each batch locks its rows, so a concurrent token refresh is never overwritten).
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from accounts.fields import EncryptedTextField, get_multifernet, get_primary_fernet


def _encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class Command(BaseCommand):
    help = "Re-encrypt all encrypted columns under the newest key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        failed_total = 0
        for model in apps.get_models():
            fields = _encrypted_fields(model)
            if not fields:
                continue
            rotated, current, failed = self._rotate_model(model=model, fields=fields, batch_size=batch_size)
            failed_total += failed
            self.stdout.write(
                f"{model._meta.label}: {rotated} row(s) re-encrypted, {current} already current, "
                f"{failed} undecryptable"
            )
        if failed_total:
            raise CommandError(
                f"{failed_total} row(s) could not be decrypted with any key; they were left unchanged."
            )

    def _rotate_model(
        self, *, model: type[models.Model], fields: list[str], batch_size: int
    ) -> tuple[int, int, int]:
        multi, primary = get_multifernet(), get_primary_fernet()
        # Cast reads the stored ciphertext as plain text, bypassing the field's decryption.
        raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in fields}
        rotated = current = failed = 0
        last_pk = None
        while True:
            with transaction.atomic():
                batch = model._default_manager.select_for_update().order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                rows = list(batch.annotate(**raw).values("pk", *raw)[:batch_size])
                if not rows:
                    break
                for row in rows:
                    last_pk = row["pk"]
                    updates: dict[str, str] = {}
                    try:
                        for name in fields:
                            ciphertext = row[f"_raw_{name}"]
                            if not ciphertext or self._is_current(primary, ciphertext):
                                continue
                            # The plaintext goes back through the field, which encrypts with the first key.
                            updates[name] = multi.decrypt(ciphertext.encode()).decode()
                    except InvalidToken:
                        failed += 1
                        continue
                    if updates:
                        model._default_manager.filter(pk=row["pk"]).update(**updates)
                        rotated += 1
                    else:
                        current += 1
        return rotated, current, failed

    @staticmethod
    def _is_current(primary, ciphertext: str) -> bool:
        try:
            primary.decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True
