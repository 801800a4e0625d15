'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { ToolForm } from '@/features/tools/tool-form';
import { toToolBody } from '@/features/tools/tool-validation';
import { api, fieldProblems, type Schema } from '@/lib/api/client';

export default function NewToolPage() {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  return (
    <>
      <PageHeader
        title="New webhook tool"
        description="The agent calls this URL with JSON arguments."
      />
      <ToolForm
        serverErrors={problems}
        submitError={error}
        onSubmit={async (values) => {
          setError(null);
          setProblems({});
          try {
            const tool = await api<Schema<'ToolRead'>>('/tools', {
              method: 'POST',
              json: toToolBody(values),
            });
            router.push(`/dashboard/tools/${tool.id}`);
          } catch (e) {
            setProblems(fieldProblems(e));
            setError(e);
          }
        }}
      />
    </>
  );
}
